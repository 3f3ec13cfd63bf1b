using System.Text;
using Lahja.Cli;

// Windows consoles show bytes in their code page (437, 1252, …): switch them to UTF-8 so Arabic reads as Arabic.
if (OperatingSystem.IsWindows()) Console.OutputEncoding = new UTF8Encoding(false);
// UTF-8 without a BOM on stdout, buffered: one line per input line can be millions of lines.
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
var exitCode = CliApp.Run(args, new CliIO(stdin, stdout, Console.Error));
stdout.Flush();
return exitCode;
