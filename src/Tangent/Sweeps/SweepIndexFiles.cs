using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Parquet;
using Parquet.Schema;
using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// Writes a <see cref="SweepIndex"/> as <c>index.sqlite</c> (tables <c>runs</c>, <c>columns</c> and <c>sweep</c>),
/// <c>index.parquet</c> and <c>index.csv</c>; each file is written whole to a temporary name and then moved into
/// place, so a reader never sees half an index.
/// </summary>
public static class SweepIndexFiles
{
    /// <summary>Writes the SQLite database: <c>runs</c> (one row per run, typed columns), <c>columns</c> (name,
    /// kind, type of each) and <c>sweep</c> (key/value facts of the sweep).</summary>
    public static void WriteSqlite(SweepIndex index, IReadOnlyDictionary<string, string> facts, string path)
    {
        string tmp = Temporary(path);
        try
        {
            using (var connection = new SqliteConnection($"Data Source={tmp};Pooling=False"))
            {
                connection.Open();
                using var transaction = connection.BeginTransaction();
                string columns = string.Join(
                    ", ",
                    index.Columns.Select(c => $"{Identifier(c.Name)} {c.Type.ToUpperInvariant()}")
                );
                Execute(connection, $"CREATE TABLE runs ({columns}, PRIMARY KEY (\"index\"))");
                Execute(connection, "CREATE TABLE columns (name TEXT PRIMARY KEY, kind TEXT, type TEXT)");
                Execute(connection, "CREATE TABLE sweep (key TEXT PRIMARY KEY, value TEXT)");
                using (var insert = connection.CreateCommand())
                {
                    insert.CommandText =
                        $"INSERT INTO runs VALUES ({string.Join(", ", index.Columns.Select((_, i) => $"$c{i}"))})";
                    var parameters = index
                        .Columns.Select((_, i) => insert.Parameters.Add($"$c{i}", SqliteType.Text))
                        .ToList();
                    foreach (var row in index.Rows)
                    {
                        for (int i = 0; i < row.Count; i++)
                        {
                            parameters[i].SqliteType = index.Columns[i].Type switch
                            {
                                "integer" => SqliteType.Integer,
                                "real" => SqliteType.Real,
                                _ => SqliteType.Text,
                            };
                            parameters[i].Value = row[i] ?? DBNull.Value;
                        }
                        insert.ExecuteNonQuery();
                    }
                }
                foreach (var c in index.Columns)
                    Execute(connection, "INSERT INTO columns VALUES ($a, $b, $c)", c.Name, c.Kind, c.Type);
                foreach (var (key, value) in facts)
                    Execute(connection, "INSERT INTO sweep VALUES ($a, $b)", key, value);
                transaction.Commit();
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Writes the Parquet file: one optional column per index column (int64, double or UTF-8
    /// string).</summary>
    public static void WriteParquet(SweepIndex index, string path)
    {
        var fields = index
            .Columns.Select(c =>
                (DataField)(
                    c.Type switch
                    {
                        "integer" => new DataField<long?>(c.Name),
                        "real" => new DataField<double?>(c.Name),
                        _ => new DataField<string>(c.Name, true),
                    }
                )
            )
            .ToArray();
        AtomicFile.Write(
            path,
            stream =>
            {
                // Parquet.Net's writer is asynchronous; the index is small, so it is written synchronously here.
                using var buffer = new MemoryStream();
                WriteParquetAsync(index, fields, buffer).GetAwaiter().GetResult();
                buffer.Position = 0;
                buffer.CopyTo(stream);
            }
        );
    }

    private static async Task WriteParquetAsync(SweepIndex index, DataField[] fields, Stream stream)
    {
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        using var group = writer.CreateRowGroup();
        for (int i = 0; i < fields.Length; i++)
        {
            var values = index.Rows.Select(r => r[i]).ToList();
            switch (index.Columns[i].Type)
            {
                case "integer":
                    await group.WriteAsync<long>(
                        fields[i],
                        new ReadOnlyMemory<long?>(values.Select(v => (long?)v).ToArray())
                    );
                    break;
                case "real":
                    await group.WriteAsync<double>(
                        fields[i],
                        new ReadOnlyMemory<double?>(values.Select(v => (double?)v).ToArray())
                    );
                    break;
                default:
                    await group.WriteAsync(fields[i], values.Select(v => (string)v!).ToArray());
                    break;
            }
        }
    }

    /// <summary>Writes the CSV file: a header of column names, then one line per run (RFC 4180 quoting, invariant
    /// numbers in round-trip form, empty for null).</summary>
    public static void WriteCsv(SweepIndex index, string path)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', index.Columns.Select(c => Csv(c.Name))).Append('\n');
        foreach (var row in index.Rows)
            sb.AppendJoin(',', row.Select(v => Csv(Text(v)))).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>A value as CSV text.</summary>
    public static string Text(object? value) =>
        value switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Temporary(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static void Execute(SqliteConnection connection, string sql, params string[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        string[] names = ["$a", "$b", "$c"];
        for (int i = 0; i < values.Length; i++)
            command.Parameters.AddWithValue(names[i], values[i]);
        command.ExecuteNonQuery();
    }
}
