/// A `dlv_results`: the results of one call, owning each `dlv_result`.
final class CResults {
    let results: [CResult]

    init(_ results: [CResult]) { self.results = results }
}
