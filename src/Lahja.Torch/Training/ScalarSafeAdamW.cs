using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lahja.Torch.Training;

/// <summary>
/// TorchSharp's AdamW with the same arithmetic, but every scalar it hands to libtorch is held alive until the call
/// returns. TorchSharp's own <c>step</c> passes temporary <see cref="Scalar"/>s (from doubles) to native code with
/// nothing keeping them reachable, so a collection started by another thread can finalize one mid-call and libtorch
/// reads freed memory ("Expected false to be true" from <c>c10::Scalar::toDouble</c>). Same libtorch operations, in the
/// same order, on the same values: the weights are bit for bit those of TorchSharp's AdamW. State, parameter groups,
/// learning rates and checkpoints are the base class's.
/// </summary>
public sealed class ScalarSafeAdamW(IEnumerable<AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
    : AdamW(groups, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
{
    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var (beta1, beta2) = (options.beta1!.Value, options.beta2!.Value);
        var (weightDecay, eps, lr) = (options.weight_decay!.Value, options.eps!.Value, options.LearningRate!.Value);
        if (options.amsgrad!.Value || options.maximize!.Value)
            throw new NotSupportedException("ScalarSafeAdamW implements AdamW without amsgrad and maximize.");
        using var decay = (1 - lr * weightDecay).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var gradWeight = (1 - beta1).ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var squareWeight = (1 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        // Tensor.add_(Scalar) adds with a temporary alpha of 1: pass it ourselves.
        using var one = 1.0.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            // Every tensor and scalar passed to libtorch is a local that lives to the end of the iteration, and no
            // call is chained on a temporary.
            using var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            param.mul_(decay);
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(beta1Scalar);
            state.exp_avg.add_(grad, alpha: gradWeight);
            state.exp_avg_sq.mul_(beta2Scalar);
            state.exp_avg_sq.addcmul_(grad, grad, value: squareWeight);
            using var rootCorrection = Math.Sqrt(biasCorrection2).ToScalar();
            using var root = state.exp_avg_sq.sqrt();
            using var denominator = root.div(rootCorrection);
            denominator.add_(epsScalar, one);
            using var stepSize = (-(lr / biasCorrection1)).ToScalar();
            param.addcdiv_(state.exp_avg, denominator, value: stepSize);
            GC.KeepAlive(param);
            GC.KeepAlive(state);
        }
    }, closure);
}
