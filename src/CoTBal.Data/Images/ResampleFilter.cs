namespace CoTBal.Data.Images;

/// <summary>
/// PIL's resampling filters, numbered as PIL numbers them (the <c>resample</c> field of a Hugging Face
/// <c>preprocessor_config.json</c>). PIL's NEAREST (0) does not go through the convolution resampler and is
/// not supported.
/// </summary>
public enum ResampleFilter
{
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}
