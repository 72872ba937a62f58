import DL1CommandSupport
import DL1WalletCommand

CommandRunner.main(DLWallet.self)
