namespace CoTBal.Pipeline.Config;

/// <summary>
/// DWA's and IGB's windows scaled to the run length. The authors' code (YanqiDai/VisATB, weight_method.py)
/// fixes them in iterations: DWA 25 (FIFO of 50), IGB 100 (warm-up 100, base window 100). Their run is one
/// epoch of LLaVA-1.5's fine-tuning recipe (scripts_visatb/finetune_academic.sh: 1 epoch, per-device batch
/// 16); the data size and GPU count are not in the repository, so we take LLaVA-1.5's 665,298 samples on 8
/// GPUs: 665,298 / 128 = 5,198 iterations per device (an assumption, stated in docs/pipeline.md). A window
/// keeps the same fraction of the run: round(window x steps / 5,198), at least 1.
/// </summary>
public static class WeightingWindows
{
    public const int AuthorsIterations = 5198;
    public const int AuthorsDwaWindow = 25;
    public const int AuthorsIgbWindow = 100;

    public static int Dwa(int steps, int? configured) => configured ?? Scale(AuthorsDwaWindow, steps);
    public static int Igb(int steps, int? configured) => configured ?? Scale(AuthorsIgbWindow, steps);

    private static int Scale(int window, int steps) =>
        Math.Max(1, (int)Math.Round(window * (double)steps / AuthorsIterations, MidpointRounding.AwayFromZero));
}
