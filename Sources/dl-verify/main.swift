import DL1CommandSupport
import DL1VerifyCommand

CommandRunner.main(DLVerify.self)
