import DL1CommandSupport
import DL1VerifyCommand

// `dl-verify sync …` fetches a handheld cache, `dl-verify serve …` runs the counter service,
// `dl-verify token …` makes its API tokens; everything else verifies codes.
if CommandLine.arguments.count > 1 {
    let rest = Array(CommandLine.arguments.dropFirst(2))
    switch CommandLine.arguments[1] {
    case "sync": CommandRunner.main(SyncCommand.self, arguments: rest)
    case "serve": CommandRunner.main(ServeCommand.self, arguments: rest)
    case "token": CommandRunner.main(TokenCommand.self, arguments: rest)
    default: break
    }
}
CommandRunner.main(DLVerify.self)
