import CMosquitto

/// A libmosquitto failure, with its error number and text.
public struct MQTTError: Error, CustomStringConvertible, Sendable {
    /// What the client was doing.
    public var operation: String
    /// libmosquitto's `MOSQ_ERR_*` value.
    public var code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "\(operation) failed: \(String(cString: mosquitto_strerror(code))) (\(code))"
    }

    /// The broker is not connected; the message was not sent.
    public var isNotConnected: Bool { code == Int32(MOSQ_ERR_NO_CONN.rawValue) }
}
