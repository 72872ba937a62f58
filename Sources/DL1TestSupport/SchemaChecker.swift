import Foundation

/// Just enough of JSON Schema (2020-12, as OpenAPI 3.1 uses it) for this document: $ref, type,
/// required, properties, enum, pattern, minimum, maximum, maxLength, items.
public struct SchemaChecker {
    public let document: [String: Any]
    /// Where the document is, for references to other files (`../schemas/x.json`).
    public let location: URL?

    public init(document: [String: Any], location: URL? = nil) {
        self.document = document
        self.location = location
    }

    /// "method /template" of every documented operation.
    public var operations: Set<String> {
        var all = Set<String>()
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for method in (item as? [String: Any] ?? [:]).keys { all.insert("\(method) \(path)") }
        }
        return all
    }

    public func check(method: String, template: String, status: UInt, contentType: String?, body: [UInt8]) -> [String] {
        guard let operation = ((document["paths"] as? [String: Any])?[template] as? [String: Any])?[method] as? [String: Any] else {
            return ["the operation is not documented"]
        }
        guard var response = (operation["responses"] as? [String: Any])?["\(status)"] as? [String: Any] else {
            return ["status \(status) is not documented for it"]
        }
        response = resolve(response)
        guard let content = response["content"] as? [String: Any] else {
            return body.isEmpty ? [] : ["a body was sent where none is documented"]
        }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] as? [String: Any] else {
            return ["media type '\(mediaType)' is not documented for \(status) (documented: \(content.keys.sorted()))"]
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] as? [String: Any] else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else { return ["the body is not JSON"] }
        return validate(value, schema, at: "$")
    }

    public func resolve(_ object: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String else { return object }
        if !ref.hasPrefix("#"), let location, let data = try? Data(contentsOf: location.deletingLastPathComponent().appendingPathComponent(ref)),
           let other = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            return other
        }
        guard ref.hasPrefix("#/") else { return object }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return resolve(node as? [String: Any] ?? [:])
    }

    public func validate(_ value: Any, _ schema: [String: Any], at path: String) -> [String] {
        let schema = resolve(schema)
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path) is not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path).\(key) is missing") }
            for (key, sub) in schema["properties"] as? [String: Any] ?? [:] {
                if let member = object[key], let sub = sub as? [String: Any] { problems += validate(member, sub, at: "\(path).\(key)") }
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path) is not an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { problems += validate(item, items, at: "\(path)[\(i)]") }
            }
        case "integer":
            guard type(of: value) != Bool.self, let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded() else {
                return ["\(path) is not an integer"]
            }
            if let minimum = schema["minimum"] as? Double, number.doubleValue < minimum { problems.append("\(path) is below \(minimum)") }
            if let maximum = schema["maximum"] as? Double, number.doubleValue > maximum { problems.append("\(path) is above \(maximum)") }
        case "string":
            guard let text = value as? String else { return ["\(path) is not a string"] }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path) '\(text.prefix(40))' does not match \(pattern)")
            }
            if let maxLength = schema["maxLength"] as? Int, text.count > maxLength { problems.append("\(path) is longer than \(maxLength)") }
        default:
            break
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            problems.append("\(path) '\(text)' is not one of \(allowed)")
        }
        return problems
    }
}
