[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Data.Tests")]
