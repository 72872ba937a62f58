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
        warnings = (setup.trustStore.warnings + setup.warnings).map(CStringStore.Entry.init)
    }
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
