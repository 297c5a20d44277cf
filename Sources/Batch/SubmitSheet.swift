import Foundation

/// `prepare --submit --per-file FILE.csv`: per-file payload values. The header names the columns:
/// `source` (the path relative to SRC, as the manifest writes it) and one column per payload field.
/// An empty cell leaves the field to --set/--input. Values stay text here; the caller types them
/// by the model's schema, as it does for --set.
public struct SubmitSheet: Sendable {
    public private(set) var fields: [String]
    public private(set) var rows: [String: [String: String]]

    /// Reads a `--per-file` CSV: a `source` column and one column per payload field.
    public static func load(_ path: String) throws(BatchError) -> SubmitSheet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BatchError(.usage, "--per-file \(path): cannot be read", hint: "Give a CSV file with a `source` column and one column per payload field.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BatchError(.usage, "--per-file \(path): not UTF-8 text", hint: "Save the sheet as CSV in UTF-8.")
        }
        return try parse(text, name: path)
    }

    /// Parses CSV text; `name` is the file named in errors.
    public static func parse(_ text: String, name: String) throws(BatchError) -> SubmitSheet {
        let records = try CSVRecords.parse(text, name: name)
        guard let header = records.first else {
            throw BatchError(.usage, "--per-file \(name): empty", hint: "The first line names the columns: source,prompt,...")
        }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let sourceColumn = columns.firstIndex(of: "source") else {
            throw BatchError(.usage, "--per-file \(name): no `source` column", hint: "Name the file column `source` (the path relative to SRC, as in the manifest).")
        }
        if let empty = columns.firstIndex(where: \.isEmpty) {
            throw BatchError(.usage, "--per-file \(name): column \(empty + 1) has no name", hint: "Every column is a payload field; name each one.")
        }
        if Set(columns).count != columns.count {
            throw BatchError(.usage, "--per-file \(name): a column is named twice", hint: "One column per payload field.")
        }
        var rows: [String: [String: String]] = [:]
        for (n, record) in records.dropFirst().enumerated() where !(record.count == 1 && record[0].isEmpty) {
            let line = n + 2
            guard record.count == columns.count else {
                throw BatchError(.usage, "--per-file \(name): line \(line) has \(record.count) cells, the header \(columns.count)",
                                 hint: "Quote cells that contain commas: \"a, b\".")
            }
            let source = record[sourceColumn]
            guard !source.isEmpty else { throw BatchError(.usage, "--per-file \(name): line \(line) has no source", hint: "Fill in the file's path relative to SRC.") }
            guard rows[source] == nil else { throw BatchError(.usage, "--per-file \(name): \(source) is listed twice", hint: "One line per file.") }
            var values: [String: String] = [:]
            for (i, column) in columns.enumerated() where i != sourceColumn && !record[i].isEmpty { values[column] = record[i] }
            rows[source] = values
        }
        return SubmitSheet(fields: columns.filter { $0 != "source" }, rows: rows)
    }
}

/// RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks; LF or CRLF ends a record.
enum CSVRecords {
    static func parse(_ text: String, name: String) throws(BatchError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var cell = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() } // a spreadsheet's byte-order mark
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { cell.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    cell.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"" where cell.isEmpty: quoted = true
                case ",": record.append(cell); cell = ""
                case "\r" where i + 1 < scalars.count && scalars[i + 1] == "\n": break
                case "\n", "\r": record.append(cell); records.append(record); record = []; cell = ""
                default: cell.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        if quoted { throw BatchError(.usage, "--per-file \(name): a quoted cell is not closed", hint: "Close every \" with another \".") }
        if !cell.isEmpty || !record.isEmpty { record.append(cell); records.append(record) }
        return records
    }
}
