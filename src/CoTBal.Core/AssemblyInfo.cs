[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Core.Tests")]
