import DL1Verifier

/// A `dlv_verifier`: an immutable verifier and the language its reasons are given in.
final class CVerifier: Sendable {
    let verifier: Verifier
    let language: Language

    init(verifier: Verifier, language: Language) {
        self.verifier = verifier
        self.language = language
    }
}
