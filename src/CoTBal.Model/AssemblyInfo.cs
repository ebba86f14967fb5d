[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Model.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CoTBal.Bench")]   // attention-layout times LlamaAttention.AttendPacked itself
