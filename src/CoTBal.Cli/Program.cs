using CoTBal.Cli;

return CliEntry.Run(CliApp.CreateRoot(), args);
