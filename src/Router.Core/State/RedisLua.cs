namespace Router.Core.State;

/// <summary>Lua snippets shared by the state layer's scripts.</summary>
internal static class RedisLua
{
    /// <summary>
    /// <c>before(a, b)</c>: whether stream id <c>a</c> ("ms-seq") is older than <c>b</c>, compared as numbers
    /// (string order is wrong across digit counts). Prepend to a script that needs it.
    /// </summary>
    public const string LogIdBefore = """
        local function before(a, b)
          local am, as = string.match(a, '^(%d+)-(%d+)$')
          local bm, bs = string.match(b, '^(%d+)-(%d+)$')
          am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
          if am ~= bm then return am < bm end
          return as < bs
        end

        """;
}
