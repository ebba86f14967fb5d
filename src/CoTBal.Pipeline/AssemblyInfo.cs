[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Pipeline.Tests")]
