namespace Lahja.Jobs;

/// <summary>Predicts the texts of one chunk of <paramref name="job"/>, in input order, with the job's preprocessing and length.</summary>
public delegate IReadOnlyList<DialectPrediction> ChunkPredictor(JobSpec job, IReadOnlyList<string> texts);
