// Codable records as CSV rows: an Encoder that turns a flat record into column -> text, and a Decoder that reads it
// back, so a record type's coding keys are its file's header. Empty and missing cells decode as nil; a missing
// non-optional column is an error naming the column. RFC 4180 quoting for the line itself.
import Foundation

/// A record type stored one per CSV row; `columns` is the header, in file order.
public protocol CSVRecord: Codable {
    static var columns: [String] { get }
}

extension RunRecord: CSVRecord {
    public static let columns = CodingKeys.allCases.map(\.rawValue)
}

public struct CSVError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum CSV {
    /// The header line of `T`'s files.
    public static func header<T: CSVRecord>(_: T.Type) -> String { T.columns.joined(separator: ",") }

    /// `record` as one CSV line (no newline) in `T.columns` order.
    public static func line<T: CSVRecord>(_ record: T) throws -> String {
        let cells = try encodeCells(record)
        return T.columns.map { quote(cells[$0] ?? "") }.joined(separator: ",")
    }

    /// The record's non-nil fields as text by column name.
    public static func encodeCells<T: Encodable>(_ record: T) throws -> [String: String] {
        let encoder = CellEncoder()
        try record.encode(to: encoder)
        return encoder.cells.values
    }

    /// A record from text cells by column name.
    public static func decode<T: Decodable>(_: T.Type, from cells: [String: String]) throws -> T {
        try T(from: CellDecoder(cells: cells))
    }

    static func quote(_ s: String) -> String {
        let clean = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        guard clean.contains(",") || clean.contains("\"") else { return clean }
        return "\"" + clean.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits one CSV line into fields (RFC 4180 quoting).
    public static func split(_ line: Substring) -> [String] {
        var fields: [String] = [], cur = "", quoted = false
        var it = line.makeIterator()
        while let ch = it.next() {
            if quoted {
                if ch == "\"" {
                    if let next = it.next() {
                        if next == "\"" { cur.append("\"") } else { quoted = false; if next == "," { fields.append(cur); cur = "" } else { cur.append(next) } }
                    } else { quoted = false }
                } else { cur.append(ch) }
            } else if ch == "\"" { quoted = true }
            else if ch == "," { fields.append(cur); cur = "" }
            else { cur.append(ch) }
        }
        fields.append(cur)
        return fields
    }

    /// A list of numbers in one cell, `;`-separated, each written with `format`.
    public static func list(_ values: [Double], format: String) -> String {
        values.map { String(format: format, $0) }.joined(separator: ";")
    }

    /// The numbers of a `;`-separated cell (empty for a missing one).
    public static func numbers(_ cell: String?) -> [Double] {
        (cell ?? "").split(separator: ";").compactMap { Double($0) }
    }

    /// The text of a number as the CSV stores it: the shortest form that reads back to the same value.
    static func text<N: LosslessStringConvertible>(_ n: N) -> String { n.description }
}

// MARK: encoding

private final class Cells { var values: [String: String] = [:] }

private struct CellEncoder: Encoder {
    let cells = Cells()
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedCells<Key>(cells: cells))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { fatalError("CSV records are flat: no arrays") }
    func singleValueContainer() -> SingleValueEncodingContainer { fatalError("CSV records are keyed") }
}

private struct KeyedCells<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let cells: Cells
    var codingPath: [CodingKey] = []

    mutating func encodeNil(forKey key: Key) {}
    mutating func encode(_ value: String, forKey key: Key) { cells.values[key.stringValue] = value }
    mutating func encode(_ value: Bool, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Int, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Double, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Float, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Int8, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Int16, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Int32, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: Int64, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: UInt, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) { cells.values[key.stringValue] = CSV.text(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let single = SingleCell()
        try value.encode(to: single)
        guard let text = single.box.text else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key], debugDescription: "not one CSV cell"))
        }
        cells.values[key.stringValue] = text
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        fatalError("CSV records are flat: no nested records")
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { fatalError("CSV records are flat") }
    mutating func superEncoder() -> Encoder { fatalError("CSV records are flat") }
    mutating func superEncoder(forKey key: Key) -> Encoder { fatalError("CSV records are flat") }
}

/// Encodes a RawRepresentable (or other single-value) field as one cell's text.
private final class SingleCell: Encoder, SingleValueEncodingContainer {
    final class Box { var text: String? }
    let box = Box()
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { fatalError("one cell holds one value") }
    func unkeyedContainer() -> UnkeyedEncodingContainer { fatalError("one cell holds one value") }
    func singleValueContainer() -> SingleValueEncodingContainer { self }
    func encodeNil() {}
    func encode(_ value: String) { box.text = value }
    func encode(_ value: Bool) { box.text = CSV.text(value) }
    func encode(_ value: Int) { box.text = CSV.text(value) }
    func encode(_ value: Double) { box.text = CSV.text(value) }
    func encode(_ value: Float) { box.text = CSV.text(value) }
    func encode(_ value: UInt64) { box.text = CSV.text(value) }
    func encode(_ value: Int8) { box.text = CSV.text(value) }
    func encode(_ value: Int16) { box.text = CSV.text(value) }
    func encode(_ value: Int32) { box.text = CSV.text(value) }
    func encode(_ value: Int64) { box.text = CSV.text(value) }
    func encode(_ value: UInt) { box.text = CSV.text(value) }
    func encode(_ value: UInt8) { box.text = CSV.text(value) }
    func encode(_ value: UInt16) { box.text = CSV.text(value) }
    func encode(_ value: UInt32) { box.text = CSV.text(value) }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: self) }
}

// MARK: decoding

private struct CellDecoder: Decoder {
    let cells: [String: String]
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedCellReader<Key>(cells: cells))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer { throw CSVError("CSV records are flat: no arrays") }
    func singleValueContainer() throws -> SingleValueDecodingContainer { throw CSVError("CSV records are keyed") }
}

private struct KeyedCellReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let cells: [String: String]
    var codingPath: [CodingKey] = []
    var allKeys: [Key] { cells.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { !(cells[key.stringValue] ?? "").isEmpty }
    func decodeNil(forKey key: Key) -> Bool { !contains(key) }

    func text(_ key: Key) throws -> String {
        guard let t = cells[key.stringValue], !t.isEmpty else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "column '\(key.stringValue)' is empty or missing"))
        }
        return t
    }
    func parse<T>(_ key: Key, _ make: (String) -> T?) throws -> T {
        let t = try text(key)
        guard let v = make(t) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key],
                                                           debugDescription: "column '\(key.stringValue)': '\(t)' is not \(cellKind(T.self))"))
        }
        return v
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try text(key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try parse(key, Bool.init) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try parse(key, Int.init) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try parse(key, UInt64.init) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try parse(key, Double.init) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try parse(key, Float.init) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try parse(key, Int8.init) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try parse(key, Int16.init) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try parse(key, Int32.init) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try parse(key, Int64.init) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try parse(key, UInt.init) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try parse(key, UInt8.init) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try parse(key, UInt16.init) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try parse(key, UInt32.init) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let cell = try text(key)
        do { return try T(from: SingleCellReader(text: cell, codingPath: codingPath + [key])) }
        catch DecodingError.dataCorrupted(_) where T.self is CSVEnumeration.Type {
            let allowed = (T.self as! CSVEnumeration.Type).allowedValues.joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key],
                                                    debugDescription: "column '\(key.stringValue)': '\(cell)' is not one of \(allowed)"))
        }
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw CSVError("CSV records are flat: no nested records")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { throw CSVError("CSV records are flat") }
    func superDecoder() throws -> Decoder { throw CSVError("CSV records are flat") }
    func superDecoder(forKey key: Key) throws -> Decoder { throw CSVError("CSV records are flat") }
}

/// Decodes a RawRepresentable (or other single-value) field from one cell's text.
private struct SingleCellReader: Decoder, SingleValueDecodingContainer {
    let text: String
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw CSVError("one cell holds one value") }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer { throw CSVError("one cell holds one value") }
    func singleValueContainer() throws -> SingleValueDecodingContainer { self }
    func decodeNil() -> Bool { text.isEmpty }
    func parse<T>(_ make: (String) -> T?) throws -> T {
        guard let v = make(text) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "'\(text)' is not \(cellKind(T.self))"))
        }
        return v
    }
    func decode(_ type: String.Type) throws -> String { text }
    func decode(_ type: Bool.Type) throws -> Bool { try parse(Bool.init) }
    func decode(_ type: Int.Type) throws -> Int { try parse(Int.init) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try parse(UInt64.init) }
    func decode(_ type: Double.Type) throws -> Double { try parse(Double.init) }
    func decode(_ type: Float.Type) throws -> Float { try parse(Float.init) }
    func decode(_ type: Int8.Type) throws -> Int8 { try parse(Int8.init) }
    func decode(_ type: Int16.Type) throws -> Int16 { try parse(Int16.init) }
    func decode(_ type: Int32.Type) throws -> Int32 { try parse(Int32.init) }
    func decode(_ type: Int64.Type) throws -> Int64 { try parse(Int64.init) }
    func decode(_ type: UInt.Type) throws -> UInt { try parse(UInt.init) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try parse(UInt8.init) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try parse(UInt16.init) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try parse(UInt32.init) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

/// What a cell of type `T` must hold, in words ("a whole number", "a number", "true or false").
private func cellKind<T>(_: T.Type) -> String {
    switch T.self {
    case is any UnsignedInteger.Type: return "a whole number of 0 or more"
    case is any BinaryInteger.Type: return "a whole number"
    case is any BinaryFloatingPoint.Type: return "a number"
    case is Bool.Type: return "true or false"
    default: return "a \(T.self)"
    }
}
