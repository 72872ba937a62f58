import Foundation

/// A task executor on threads of its own. The test process runs many tests at once, some of
/// them blocking (real processes, sleeps) on the shared concurrency pool's few threads; the
/// in-process servers run here so that they answer whatever the pool is doing.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = ThreadExecutor(threads: 4)
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    public init(threads: Int) {
        for _ in 0..<threads {
            let thread = Thread { [unowned self] in self.loop() }
            thread.name = "test-server"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
