import Foundation

/// Reads a JSON vector file from this target's resources.
enum VectorFiles {
    static func data(_ path: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Vectors/" + path, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try Data(contentsOf: url)
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(path), options: [.fragmentsAllowed])
    }
}
