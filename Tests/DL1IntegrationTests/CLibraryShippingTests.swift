import DL1TestSupport
import Foundation
import Testing

/// libdlverify as it ships: only the documented dlv_ functions exported, a header that
/// compiles as strict C99 and C++, and the self-contained library from scripts/build-library
/// (Swift runtime inside, soname libdlverify.so.1, pkg-config) running the C example.
@Suite("C library as it ships (symbols, header, self-contained build)", .serialized, .tags(.slow))
struct CLibraryShippingTests {
    static let root = CLibraryTests.root
    static var documentedSymbols: [String] {
        ((try? String(contentsOf: Self.root.appendingPathComponent("Sources/CDLVerify/dlverify.symbols"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).sorted()
    }

    /// The global symbols a shared library defines, less symbol-version nodes.
    static func exportedSymbols(_ library: String) -> [String] {
        let run = CLibraryTests.run("/usr/bin/env", ["nm", "-D", "--defined-only", library])
        return run.stdout.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[1].first?.isUppercase == true, parts[1] != "A" else { return nil }
            return String(parts[2].split(separator: "@").first ?? parts[2])
        }.sorted()
    }

    @Test("the library exports exactly the dlv_ functions of dlverify.h, as listed in dlverify.symbols")
    func symbols() throws {
        let folder = try #require(CLibraryTests.libraryFolder, "libdlverify.so is not built")
        let documented = Self.documentedSymbols
        #expect(documented.count == 33 && documented.allSatisfy { $0.hasPrefix("dlv_") })
        #expect(Self.exportedSymbols(folder.appendingPathComponent("libdlverify.so").path) == documented)
        // And every function the header declares is in the list.
        let header = try String(contentsOf: Self.root.appendingPathComponent("Sources/CDLVerify/include/dlverify.h"), encoding: .utf8)
        let declared = Set(header.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix(" "), !line.hasPrefix("#"), !line.hasPrefix("/"), let open = line.firstIndex(of: "("),
                  let name = line[..<open].split(whereSeparator: { $0 == " " || $0 == "*" }).last, name.hasPrefix("dlv_") else { return nil }
            return String(name)
        })
        #expect(declared == Set(documented))
    }

    @Test("dlverify.h compiles as C99 and as C++ with every warning an error; DLV_VERSION matches dlv_version()")
    func header() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = """
            #include "dlverify.h"
            #include <stdio.h>
            #include <string.h>
            int main(void) {
                if (dlv_abi_version() != DLV_ABI_VERSION) return 1;
                if (strcmp(dlv_version(), DLV_VERSION) != 0) { printf("%s\\n", dlv_version()); return 2; }
                dlv_request request = DLV_REQUEST_INIT;
                (void)request;
                printf("%s\\n", dlv_version());
                return 0;
            }
            """
        try Data(source.utf8).write(to: folder.appendingPathComponent("check.c"))
        try Data(source.utf8).write(to: folder.appendingPathComponent("check.cpp"))
        let include = Self.root.appendingPathComponent("Sources/CDLVerify/include").path
        let lib = try #require(CLibraryTests.libraryFolder).path
        for (compiler, standard, file) in [("gcc", "-std=c99", "check.c"), ("g++", "-std=c++17", "check.cpp")] {
            let out = folder.appendingPathComponent("check-\(compiler)").path
            let built = CLibraryTests.run("/usr/bin/env", [compiler, standard, "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-o", out,
                                                           folder.appendingPathComponent(file).path, "-I", include,
                                                           "-L", lib, "-ldlverify", "-Wl,-rpath,\(lib)"])
            #expect(built.status == 0, "\(compiler): \(built.stderr)")
            let ran = CLibraryTests.run(out, [])
            #expect(ran.status == 0 && ran.stdout == "1.1.0\n", "\(compiler): \(ran.stdout)\(ran.stderr)")
        }
    }

    @Test("scripts/build-library: libdlverify.so.1 needs no Swift library, has no RUNPATH but its own folder, and the C example built through pkg-config verifies a vector")
    func selfContained() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("dist").path
        let built = CLibraryTests.run(Self.root.appendingPathComponent("scripts/build-library").path, ["--output", out])
        try #require(built.status == 0, "scripts/build-library failed:\n\(built.stdout.suffix(2000))\n\(built.stderr.suffix(3000))")
        let library = "\(out)/lib/libdlverify.so.1"
        let ldd = CLibraryTests.run("/usr/bin/env", ["ldd", library])
        #expect(ldd.status == 0 && !ldd.stdout.contains("swift") && !ldd.stdout.contains("not found"), "\(ldd.stdout)")
        #expect(CLibraryTests.run("/usr/bin/env", ["readelf", "-d", library]).stdout.contains("Library soname: [libdlverify.so.1]"))
        #expect(Self.exportedSymbols(library) == Self.documentedSymbols)
        // A program built the way an integrator builds it: pkg-config, no path into this repository.
        let flags = CLibraryTests.run("/usr/bin/env", ["env", "PKG_CONFIG_PATH=\(out)/lib/pkgconfig", "pkg-config", "--cflags", "--libs", "dlverify"])
        #expect(flags.status == 0 && flags.stdout.contains("-ldlverify"), "\(flags.stderr)")
        let program = folder.appendingPathComponent("example").path
        let arguments = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", program,
                         Self.root.appendingPathComponent("Examples/c/dlverify_example.c").path]
            + flags.stdout.split(whereSeparator: \.isWhitespace).map(String.init) + ["-Wl,-rpath,\(out)/lib"]
        let compiled = CLibraryTests.run("/usr/bin/env", ["gcc"] + arguments)
        try #require(compiled.status == 0, "\(compiled.stderr)")
        let vectors = TestVectors.folder.path
        let verified = CLibraryTests.run(program, ["--trust", "\(vectors)/trust", "--status", "\(vectors)/status/current.cwt",
                                                   "--at", "1780315200", "\(vectors)/images/valid.png", "\(vectors)/images/dl2-valid.png"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.split(separator: "\n").filter { $0 == "VALID" }.count == 2, "a DL1 code and a DL2 presentation: \(verified.stdout)")
        let needed = CLibraryTests.run("/usr/bin/env", ["ldd", program]).stdout
        #expect(needed.contains("libdlverify.so.1 => \(out)/lib/libdlverify.so.1"), "\(needed)")
    }
}

/// The Python binding (bindings/python, ctypes over the C interface) passes its pytest suite
/// against the library this build made: every published vector, images, errors.
@Suite("Python binding (bindings/python)", .tags(.slow))
struct PythonBindingTests {
    @Test("pytest over the binding: every vector, typed fields, images and errors")
    func pytest() throws {
        let folder = try #require(CLibraryTests.libraryFolder, "libdlverify.so is not built")
        let run = CLibraryTests.run("/usr/bin/env", ["env", "DLVERIFY_LIBRARY=\(folder.appendingPathComponent("libdlverify.so").path)",
                                                     "PYTHONDONTWRITEBYTECODE=1", "python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                                     CLibraryTests.root.appendingPathComponent("bindings/python").path])
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\(run.stderr.suffix(2000))")
        let vectors = TestVectors.document?.vectors.count ?? 0
        #expect(run.stdout.contains("\(vectors + 8) passed"), "\(run.stdout.suffix(500))")
    }
}

/// The Java example (bindings/java): a JNI shim over the C interface, built with gcc and the
/// JDK's own javac, verifies every vector of the common setup with the expected verdict.
@Suite("Java example over JNI (bindings/java)", .tags(.slow))
struct JavaBindingTests {
    @Test("the JNI shim and the Java classes build, and every vector of the common setup gets its verdict; a missing trust folder is a VerifyException with status 3")
    func vectors() throws {
        let lib = try #require(CLibraryTests.libraryFolder, "libdlverify.so is not built").path
        let javac = CLibraryTests.run("/usr/bin/env", ["sh", "-c", "readlink -f \"$(command -v javac)\""]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(javac.hasSuffix("/bin/javac"), "no JDK (javac) on this machine: scripts/setup installs openjdk-17-jdk-headless")
        let javaHome = URL(fileURLWithPath: javac).deletingLastPathComponent().deletingLastPathComponent().path
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = CLibraryTests.root, java = root.appendingPathComponent("bindings/java")
        let shim = CLibraryTests.run("/usr/bin/env", ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                                      "-o", folder.appendingPathComponent("libdlverify_jni.so").path,
                                                      java.appendingPathComponent("dlverify_jni.c").path,
                                                      "-I", "\(javaHome)/include", "-I", "\(javaHome)/include/linux",
                                                      "-I", root.appendingPathComponent("Sources/CDLVerify/include").path,
                                                      "-L", lib, "-ldlverify", "-Wl,-rpath,\(lib)"])
        try #require(shim.status == 0, "gcc: \(shim.stderr)")
        let sources = ["Verifier", "VerifyException", "VectorCheck"].map { java.appendingPathComponent("src/org/dl1/verify/\($0).java").path }
        let compiled = CLibraryTests.run(javac, ["-d", folder.appendingPathComponent("classes").path] + sources)
        try #require(compiled.status == 0, "javac: \(compiled.stderr)")
        let vectors = try #require(TestVectors.document).vectors.filter {
            $0.status == ["status/current.cwt"] && $0.category == nil && $0.portrait_sha256 == nil && !$0.allow_unknown_status
                && $0.holder_window == nil && $0.require_holder_binding != true
        }
        let input = vectors.map { "\($0.expected.verdict)\t\($0.code)" }.joined(separator: "\n") + "\n"
        let run = CLibraryTests.run("\(javaHome)/bin/java", ["-Djava.library.path=\(folder.path)", "-cp", folder.appendingPathComponent("classes").path,
                                                             "org.dl1.verify.VectorCheck", TestVectors.folder.appendingPathComponent("trust").path,
                                                             TestVectors.folder.appendingPathComponent("status/current.cwt").path, "1780315200"],
                                    stdin: input)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("\(vectors.count) checked, 0 mismatched\n"), "\(run.stdout)")
        #expect(vectors.count > 40)
    }
}
