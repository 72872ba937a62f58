import DL1CommandSupport
import DL1VerifyCommand

// `dl-verify sync …` fetches a handheld cache; everything else verifies codes.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "sync" {
    CommandRunner.main(SyncCommand.self, arguments: Array(CommandLine.arguments.dropFirst(2)))
}
CommandRunner.main(DLVerify.self)
