namespace Router.Training.Data;

/// <summary>A data file that cannot be read; the message names the file, line and column.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception with a message of the form <c>file:line:column: problem</c>.</summary>
    public DatasetFormatException(string file, long line, long column, string problem)
        : base($"{file}:{line}:{column}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>Creates the exception for a problem not tied to a position.</summary>
    public DatasetFormatException(string message)
        : base(message)
    {
        File = "";
        Problem = message;
    }

    /// <summary>Creates the exception for a problem not tied to a position, with its cause.</summary>
    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "";
        Problem = message;
    }

    /// <summary>Creates an exception with no message (serialisation and analyzers).</summary>
    public DatasetFormatException()
    {
        File = "";
        Problem = "";
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>1-based line, 0 when unknown.</summary>
    public long Line { get; }

    /// <summary>1-based column, 0 when unknown.</summary>
    public long Column { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
