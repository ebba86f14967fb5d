[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Model.Tests")]
