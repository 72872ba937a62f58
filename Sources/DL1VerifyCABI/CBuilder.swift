import DL1Verifier

/// A `dlv_builder`: the setup gathered so far and the options to build with.
final class CBuilder {
    var setup: VerifierSetup?
    var leeway: Int64 = 300
    var allowUnknownStatus = false
    var holderWindow: Int64 = Verifier.defaultHolderWindow
    var requireHolderBinding = false
    var language: Language = .english
    /// The current warnings, as C strings.
    private(set) var warnings: [CStringStore.Entry] = []
    /// Every warning string handed out, kept until the builder is freed, so a pointer a caller
    /// holds stays valid across later additions and builds.
    private var issued: [String: CStringStore.Entry] = [:]

    func refreshWarnings() {
        guard let setup else { warnings = []; return }
        setWarnings(setup.trustStore.warnings + setup.warnings)
    }

    /// Replaces the current warnings (a build adds the status tokens it could not use).
    func setWarnings(_ texts: [String]) {
        warnings = texts.map { text in
            if let entry = issued[text] { return entry }
            let entry = CStringStore.Entry(text)
            issued[text] = entry
            return entry
        }
    }
}
