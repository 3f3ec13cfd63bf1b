using System.CommandLine;
using Lahja.Cli.Commands.Shared;
using Lahja.Onnx;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja export [-m MODEL] -o DIR [--precision fp32|int8]</c>: the model as a self-contained ONNX file.</summary>
internal static class ExportCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOption.Create();
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Directory to write model.onnx, config and tokenizer files into.", Required = true };
        var precision = new Option<string>("--precision") { Description = "fp32, or int8 (dynamic quantization of the encoder).", DefaultValueFactory = _ => "fp32" }
            .AcceptOnlyFromAmong("fp32", "int8");
        var command = new Command("export", "Write the model as ONNX (model.onnx: inputs input_ids, attention_mask, token_type_ids; output probabilities) with its config and tokenizer files.")
        {
            model, output, precision,
        };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var directory = ModelOption.Resolve(parse.GetValue(model), io);
            var path = OnnxExport.Export(directory, parse.GetValue(output)!.FullName, parse.GetValue(precision) == "int8" ? OnnxPrecision.Int8 : OnnxPrecision.Fp32);
            io.Error.WriteLine($"lahja: wrote {path} ({new FileInfo(path).Length / 1048576.0:0.0} MB)");
            return 0;
        }));
        return command;
    }
}
