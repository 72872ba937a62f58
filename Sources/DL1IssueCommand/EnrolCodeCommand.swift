import ArgumentParser
import DL1CommandSupport
import DL1Issuer
import DL1Verifier

/// `dl-issue enrol-code NUMBER`: a one-time code with which the holder's wallet enrols.
public struct EnrolCodeCommand: ConsoleCommand {
    public static let configuration = CommandConfiguration(
        commandName: "enrol-code",
        abstract: "Give a one-time enrolment code for a licence: the holder's wallet sends it to 'dl-issue serve' to get a credential bound to the device.",
        discussion: """
            The code is shown once and kept only as a salted digest. A new code withdraws the previous one; \
            five wrong tries withdraw it too. The licence must be VALID and not expired.
            """)

    @Argument(help: "The licence's document number.") public var number: String
    @OptionGroup public var issuerOption: IssuerOption
    @Option(name: .customLong("valid-for"), help: ArgumentHelp("How long the code may be used, from 1m to 30d.", valueName: "DURATION"))
    public var validFor: String = "72h"

    public init() {}

    public func validate() throws {
        guard let seconds = OutputOptions.parseDuration(validFor), (60...30 * 86_400).contains(seconds) else {
            throw ValidationError("--valid-for '\(validFor)' must be a duration from 1m to 30d")
        }
    }

    public func execute(console: Console) -> Int32 {
        IssuerCommand.run("enrol-code", issuer: issuerOption, console: console) { issuer throws(IssuerError) in
            let code = try issuer.openEnrolment(number, validFor: OutputOptions.parseDuration(validFor)!)
            console.out(code.code)
            console.err("Enrolment code for \(number), valid until \(Instant.iso(code.expiresAt)); give it to the holder only.")
        }
    }
}
