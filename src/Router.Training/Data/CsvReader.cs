using System.Text;

namespace Router.Training.Data;

/// <summary>
/// A small RFC 4180 reader (quoted fields, doubled quotes, newlines inside quotes) that remembers where every
/// record and field starts, so a loader can say "file:line:column" about a bad cell. Not thread-safe.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _file;
    private readonly StringBuilder _field = new();
    private long _line = 1;
    private long _column = 1;
    private int _peeked = -2;

    public CsvReader(TextReader reader, string file)
    {
        _reader = reader;
        _file = file;
    }

    /// <summary>Line on which the last record returned by <see cref="ReadRecord"/> started.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Start (line, column) of each field of the last record.</summary>
    public List<(long Line, long Column)> FieldPositions { get; } = [];

    public static CsvReader Open(string path) => new(new StreamReader(path, Encoding.UTF8, true, 1 << 16), path);

    /// <summary>Reads the next record, or null at the end of the input. Blank lines are skipped.</summary>
    public List<string>? ReadRecord()
    {
        while (true)
        {
            var c = Peek();
            if (c == -1)
            {
                return null;
            }

            if (c is '\r' or '\n')
            {
                Next();
                continue;
            }

            break;
        }

        RecordLine = _line;
        FieldPositions.Clear();
        var fields = new List<string>();
        while (true)
        {
            FieldPositions.Add((_line, _column));
            _field.Clear();
            var c = Peek();
            if (c == '"')
            {
                var (qLine, qColumn) = (_line, _column);
                Next();
                while (true)
                {
                    var d = Next();
                    if (d == -1)
                    {
                        throw new DatasetFormatException(_file, qLine, qColumn, "quoted field is not closed before the end of the file");
                    }

                    if (d == '"')
                    {
                        if (Peek() == '"')
                        {
                            Next();
                            _field.Append('"');
                            continue;
                        }

                        break;
                    }

                    _field.Append((char)d);
                }

                var after = Peek();
                if (after is not (',' or '\r' or '\n' or -1))
                {
                    throw new DatasetFormatException(_file, _line, _column, $"unexpected character '{(char)after}' after a closing quote");
                }
            }
            else
            {
                while (Peek() is not (',' or '\r' or '\n' or -1))
                {
                    var d = Next();
                    if (d == '"')
                    {
                        throw new DatasetFormatException(_file, _line, _column - 1, "quote inside an unquoted field");
                    }

                    _field.Append((char)d);
                }
            }

            fields.Add(_field.ToString());
            var sep = Peek();
            if (sep == ',')
            {
                Next();
                continue;
            }

            // End of record: consume one line break (\r\n, \n or \r).
            if (sep == '\r')
            {
                Next();
                if (Peek() == '\n')
                {
                    Next();
                }
            }
            else if (sep == '\n')
            {
                Next();
            }

            return fields;
        }
    }

    public void Dispose() => _reader.Dispose();

    private int Peek()
    {
        if (_peeked == -2)
        {
            _peeked = _reader.Read();
        }

        return _peeked;
    }

    private int Next()
    {
        var c = Peek();
        _peeked = -2;
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else if (c != -1)
        {
            _column++;
        }

        return c;
    }
}
