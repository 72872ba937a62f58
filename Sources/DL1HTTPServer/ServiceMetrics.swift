import Foundation
import Metrics
import Prometheus

/// The process's metrics, in Prometheus's text format at `/metrics`: Hummingbird's request
/// counters and durations, and what each service records through swift-metrics.
public enum ServiceMetrics {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped: Void = { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }()

    /// Installs the Prometheus backend (once per process; later calls do nothing).
    public static func bootstrap() { _ = bootstrapped }

    /// The exposition text.
    public static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
