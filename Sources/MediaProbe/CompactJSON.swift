import Foundation

/// The probe's one-line JSON (`--ndjson`): the bytes Foundation's JSONEncoder writes with snake_case keys,
/// `.sortedKeys` and `.withoutEscapingSlashes` (a test holds it to that on every TestMedia record), built
/// from the same `Codable` conformances, several times faster: Foundation's general encoder was a sixth
/// of a probe's time once the probe itself stopped decoding. Only what the probe's records use is
/// supported (no Date, Data or URL strategies); a non-finite number throws, as Foundation's does.
struct CompactJSONEncoder {
    struct NonFiniteNumber: Error {}

    func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        JSONTree.write(encoder.root ?? .object(JSONTree.Object()), into: &out)
        return Data(out)
    }
}

/// A JSON value under construction; objects and arrays are classes so containers can fill them later.
enum JSONTree {
    case object(Object)
    case array(Array)
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    final class Object { var members: [(key: String, value: JSONTree)] = [] }
    final class Array { var items: [JSONTree] = [] }

    static func write(_ value: JSONTree, into out: inout [UInt8]) {
        switch value {
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            // Keys are ASCII snake_case: byte order is the order .sortedKeys gives them.
            for (i, member) in o.members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, item) in a.items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let s): writeString(s, into: &out)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    private static let hex = Swift.Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func number(_ d: Double) throws -> JSONTree {
        guard d.isFinite else { throw CompactJSONEncoder.NonFiniteNumber() }
        var s = d.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return .number(s)
    }
}

/// Collects one value's tree. Coding paths are not tracked: the probe's types never read them.
private final class TreeEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var root: JSONTree?

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let o)? = root { return KeyedEncodingContainer(Keyed<Key>(object: o)) }
        let o = JSONTree.Object()
        root = .object(o)
        return KeyedEncodingContainer(Keyed<Key>(object: o))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let a)? = root { return Unkeyed(array: a) }
        let a = JSONTree.Array()
        root = .array(a)
        return Unkeyed(array: a)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    static func tree<T: Encodable>(_ value: T) throws -> JSONTree {
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        return encoder.root ?? .object(JSONTree.Object())
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: JSONTree.Object
        var codingPath: [any CodingKey] { [] }

        private func put(_ value: JSONTree, _ key: Key) {
            object.members.append((SnakeCaseKeys.shared.key(for: key.stringValue).stringValue, value))
        }

        mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(try JSONTree.number(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { put(try JSONTree.number(Double(value)), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.number(String(value)), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(try TreeEncoder.tree(value), key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let o = JSONTree.Object()
            put(.object(o), key)
            return KeyedEncodingContainer(Keyed<NestedKey>(object: o))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let a = JSONTree.Array()
            put(.array(a), key)
            return Unkeyed(array: a)
        }

        mutating func superEncoder() -> any Encoder { TreeEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let array: JSONTree.Array
        var codingPath: [any CodingKey] { [] }
        var count: Int { array.items.count }

        mutating func encodeNil() throws { array.items.append(.null) }
        mutating func encode(_ value: Bool) throws { array.items.append(.bool(value)) }
        mutating func encode(_ value: String) throws { array.items.append(.string(value)) }
        mutating func encode(_ value: Double) throws { array.items.append(try JSONTree.number(value)) }
        mutating func encode(_ value: Float) throws { array.items.append(try JSONTree.number(Double(value))) }
        mutating func encode(_ value: Int) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: Int8) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: Int16) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: Int32) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: Int64) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: UInt) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: UInt8) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: UInt16) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: UInt32) throws { array.items.append(.number(String(value))) }
        mutating func encode(_ value: UInt64) throws { array.items.append(.number(String(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { array.items.append(try TreeEncoder.tree(value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let o = JSONTree.Object()
            array.items.append(.object(o))
            return KeyedEncodingContainer(Keyed<NestedKey>(object: o))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let a = JSONTree.Array()
            array.items.append(.array(a))
            return Unkeyed(array: a)
        }

        mutating func superEncoder() -> any Encoder { TreeEncoder() }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { encoder.root = .null }
        mutating func encode(_ value: Bool) throws { encoder.root = .bool(value) }
        mutating func encode(_ value: String) throws { encoder.root = .string(value) }
        mutating func encode(_ value: Double) throws { encoder.root = try JSONTree.number(value) }
        mutating func encode(_ value: Float) throws { encoder.root = try JSONTree.number(Double(value)) }
        mutating func encode(_ value: Int) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: Int8) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: Int16) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: Int32) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: Int64) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: UInt) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: UInt8) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: UInt16) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: UInt32) throws { encoder.root = .number(String(value)) }
        mutating func encode(_ value: UInt64) throws { encoder.root = .number(String(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws { encoder.root = try TreeEncoder.tree(value) }
    }
}
