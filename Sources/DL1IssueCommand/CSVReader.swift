/// A small RFC 4180 CSV reader: comma-separated fields, double-quoted fields may hold commas,
/// line breaks and doubled quotes; LF or CRLF between records.
enum CSVReader {
    /// One record: its first line number and fields.
    struct Record {
        let line: Int
        let fields: [String]
        let raw: String
    }

    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let description: String
    }

    static func records(_ text: String) throws(Failure) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var raw = ""
        var quoted = false
        var afterQuote = false
        var line = 1, recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields, raw: raw)) }
            fields = []
            field = ""
            raw = ""
            afterQuote = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if c != "\n" && c != "\r" || quoted { raw.unicodeScalars.append(c) }
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); raw.unicodeScalars.append("\""); i += 1 } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case ",":
                    fields.append(field)
                    field = ""
                    afterQuote = false
                case "\"":
                    guard field.isEmpty, !afterQuote else { throw Failure(line: line, description: "a quote inside an unquoted field") }
                    quoted = true
                case "\r":
                    break
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    guard !afterQuote else { throw Failure(line: line, description: "text after a closing quote") }
                    field.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        guard !quoted else { throw Failure(line: recordLine, description: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
