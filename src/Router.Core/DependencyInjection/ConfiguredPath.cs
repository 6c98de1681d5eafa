namespace Router.Core.DependencyInjection;

/// <summary>
/// Resolves a file path given in configuration (<c>Router:ArmsFile</c>, <c>Router:CheckpointPath</c>). An absolute path
/// is taken as it is. A relative one is looked up from the working directory and then each of its parents, then from
/// the application's folder and its parents: <c>dotnet run --project src/Gateway</c> runs in the project's folder, so a
/// path written relative to the repository root (<c>deploy/arms/routerbench.json</c>, as the README's commands do) is
/// found from wherever the command was typed in the repository, and a container's WORKDIR still comes first.
/// </summary>
public static class ConfiguredPath
{
    /// <summary>The first existing file for <paramref name="path"/>; when none exists, its full path from the working directory.</summary>
    public static string Resolve(string path) => Resolve(path, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary>
    /// The first existing file for a relative <paramref name="path"/> under each of <paramref name="searchFrom"/> and
    /// their parents, in that order; when none exists, <paramref name="path"/> under the first of them.
    /// </summary>
    public static string Resolve(string path, IReadOnlyList<string> searchFrom)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(searchFrom);
        if (Path.IsPathRooted(path))
        {
            return Path.GetFullPath(path);
        }

        foreach (var start in searchFrom)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return searchFrom.Count > 0 ? Path.GetFullPath(Path.Combine(searchFrom[0], path)) : Path.GetFullPath(path);
    }
}
