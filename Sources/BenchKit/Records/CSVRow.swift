// One record of a CSV text, split by RFC 4180: a quoted field may hold commas, doubled quotes and line breaks, and a
// line may end in LF or CRLF. Readers (results, merge) split a file into these, so a row's number, its raw text and
// its fields come from one pass and agree.

/// A record of a CSV text: where it starts, its raw text (without its line end) and its fields.
public struct CSVRow: Sendable, Equatable {
    /// The 1-based line the record starts on.
    public let line: Int
    /// The record as it stands in the file, without the final LF or CRLF.
    public let text: String
    public let fields: [String]
    /// False for a last record that the file ends inside of (no line end): a row cut short, or a missing newline.
    public let terminated: Bool

    /// Every record of `text`, blank lines included (as one empty field), in file order.
    public static func rows(of text: String) -> [CSVRow] {
        let bytes = Array(text.utf8)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var rows: [CSVRow] = []
        var fields: [String] = [], field: [UInt8] = []
        var quoted = false, line = 1, startLine = 1, start = 0, i = 0
        func finish(end: Int, terminated: Bool) {
            // A CR before the line end belongs to the line end, not to the last field.
            var end = end
            if !quoted || !terminated, field.last == cr { field.removeLast() }
            if end > start, bytes[end - 1] == cr { end -= 1 }
            fields.append(String(decoding: field, as: UTF8.self))
            rows.append(CSVRow(line: startLine, text: String(decoding: bytes[start..<end], as: UTF8.self),
                               fields: fields, terminated: terminated))
            fields = []; field = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                    quoted = false
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
            } else if b == quote {
                quoted = true
            } else if b == comma {
                fields.append(String(decoding: field, as: UTF8.self)); field = []
            } else if b == lf {
                finish(end: i, terminated: true)
                line += 1; startLine = line; start = i + 1
            } else {
                field.append(b)
            }
            i += 1
        }
        if start < bytes.count { finish(end: bytes.count, terminated: false) }
        return rows
    }

    /// A blank line (skipped by readers).
    public var isBlank: Bool { text.isEmpty }
}
