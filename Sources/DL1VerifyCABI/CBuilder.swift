import DL1Verifier
import Foundation

/// A `dlv_builder`: the setup gathered so far and the options to build with.
final class CBuilder {
    var setup: VerifierSetup?
    var leeway: Int64 = 300
    var allowUnknownStatus = false
    var language: Language = .english
    /// Warnings as C strings, rebuilt when the setup changes.
    private(set) var warnings: [CStringStore.Entry] = []

    func refreshWarnings() {
        guard let setup else { warnings = []; return }
        setWarnings(setup.trustStore.warnings + setup.warnings)
    }

    /// Replaces the warnings (a build adds the status tokens whose signer is not trusted).
    func setWarnings(_ texts: [String]) { warnings = texts.map(CStringStore.Entry.init) }
}

/// A `dlv_verifier`: an immutable verifier and the language its reasons are given in.
final class CVerifier: Sendable {
    let verifier: Verifier
    let language: Language

    init(verifier: Verifier, language: Language) {
        self.verifier = verifier
        self.language = language
    }
}
