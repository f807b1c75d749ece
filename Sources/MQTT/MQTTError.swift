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

    /// A broker's CONNACK refusal; `code` is its MQTT reason code (135: not authorized, …).
    public init(refusedWith reasonCode: Int32) {
        self.operation = "connect"
        self.code = reasonCode
        self.isRefusal = true
    }

    /// Whether `code` is a broker's reason code rather than a `MOSQ_ERR_*` value.
    public private(set) var isRefusal = false

    public var description: String {
        if isRefusal {
            return "the broker refused the connection: \(String(cString: mosquitto_reason_string(code))) (reason \(code))"
        }
        return "\(operation) failed: \(String(cString: mosquitto_strerror(code))) (\(code))"
    }

    /// The broker is not connected; the message was not sent.
    public var isNotConnected: Bool { code == Int32(MOSQ_ERR_NO_CONN.rawValue) }
}
