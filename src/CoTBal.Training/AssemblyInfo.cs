[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Training.Tests")]
