import ArgumentParser
import Foundation

/// A command whose work returns an exit code and writes through a ``Console``, so tests can
/// run it in-process.
public protocol ConsoleCommand: ParsableCommand {
    /// Does the work; returns the process exit code.
    func execute(console: Console) -> Int32
}

extension ConsoleCommand {
    public func run() throws {
        let console = Console.standard()
        let code = execute(console: console)
        console.flush()
        if code != 0 { throw ExitCode(code) }
    }
}

/// Exit code for usage and configuration errors (bad flags, unreadable files).
public let usageExitCode: Int32 = 2

/// Parses arguments and runs a command tree, mapping every usage error to exit code 2
/// (ArgumentParser's default is 64).
public enum CommandRunner {
    /// Runs `root` with `arguments` and exits the process.
    public static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let exitCode as ExitCode {
            exit(exitCode.rawValue)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                print(root.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data((root.fullMessage(for: error) + "\n").utf8))
            exit(code == .validationFailure || code.rawValue == 64 ? usageExitCode : code.rawValue)
        }
    }

    /// Parses and runs in-process against `console`, returning the exit code (for tests).
    public static func run<Root: ParsableCommand>(_ root: Root.Type, _ arguments: [String], console: Console) -> Int32 {
        do {
            let command = try root.parseAsRoot(arguments)
            guard let runnable = command as? any ConsoleCommand else {
                console.out(root.helpMessage())
                return 0
            }
            return runnable.execute(console: console)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                console.out(root.fullMessage(for: error))
                return 0
            }
            console.err(root.fullMessage(for: error))
            return code == .validationFailure || code.rawValue == 64 ? usageExitCode : code.rawValue
        }
    }
}
