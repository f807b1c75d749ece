/// One broker a client may connect to: a host name or address and a TCP port.
public struct MQTTBrokerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A comma-separated list of `host[:port]` (IPv6 addresses as `[addr]` or `[addr]:port`), each without
    /// a port taking `defaultPort`; nil if any entry is empty or its port is not 1-65535.
    public static func list(_ text: String, defaultPort: Int) -> [MQTTBrokerAddress]? {
        var addresses: [MQTTBrokerAddress] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = entry.trimmingSpaces
            guard let address = parse(entry, defaultPort: defaultPort) else { return nil }
            addresses.append(address)
        }
        return addresses.isEmpty ? nil : addresses
    }

    private static func parse(_ entry: Substring, defaultPort: Int) -> MQTTBrokerAddress? {
        var host = entry
        var portText: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return nil }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = entry.lastIndex(of: ":") {
            // More than one colon without brackets is a bare IPv6 address, which has no port.
            if entry.firstIndex(of: ":") == colon {
                host = entry[..<colon]
                portText = entry[entry.index(after: colon)...]
            }
        }
        let port = portText.map { Int($0) } ?? defaultPort
        guard !host.isEmpty, let port, (1...65535).contains(port) else { return nil }
        return MQTTBrokerAddress(host: String(host), port: port)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
