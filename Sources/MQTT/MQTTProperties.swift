import CMosquitto
#if canImport(Glibc)
import Glibc
#endif

/// Reads the MQTT 5 properties the engine cares about from a libmosquitto property list.
enum MQTTProperties {
    /// The Receive Maximum a CONNACK announces: how many QoS ≥ 1 publishes the broker takes unacknowledged
    /// (65 535 when absent, as MQTT 5 says).
    static func receiveMaximum(_ props: OpaquePointer?) -> Int {
        var value: UInt16 = 0
        guard props != nil,
              mosquitto_property_read_int16(props, Int32(MQTT_PROP_RECEIVE_MAXIMUM.rawValue), &value, false) != nil
        else { return Int(UInt16.max) }
        return Int(value)
    }

    static func responseTopic(_ props: OpaquePointer?) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard mosquitto_property_read_string(props, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), &value, false) != nil,
              let value else { return nil }
        defer { free(value) }
        return String(cString: value)
    }

    static func correlationData(_ props: OpaquePointer?) -> [UInt8]? {
        var value: UnsafeMutableRawPointer?
        var length: UInt16 = 0
        guard mosquitto_property_read_binary(props, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), &value, &length, false) != nil
        else { return nil }
        guard let value else { return [] }
        defer { free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: Int(length)))
    }

    static func userProperties(_ props: OpaquePointer?) -> [MQTTUserProperty] {
        var result: [MQTTUserProperty] = []
        var cursor = props
        var skipFirst = false
        let identifier = Int32(MQTT_PROP_USER_PROPERTY.rawValue)
        while true {
            var name: UnsafeMutablePointer<CChar>?
            var value: UnsafeMutablePointer<CChar>?
            guard let found = mosquitto_property_read_string_pair(cursor, identifier, &name, &value, skipFirst) else {
                break
            }
            if let name, let value {
                result.append(MQTTUserProperty(name: String(cString: name), value: String(cString: value)))
            }
            free(name)
            free(value)
            cursor = found
            skipFirst = true
        }
        return result
    }

    static func subscriptionIdentifiers(_ props: OpaquePointer?) -> [UInt32] {
        var result: [UInt32] = []
        var cursor = props
        var skipFirst = false
        let identifier = Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue)
        while true {
            var value: UInt32 = 0
            guard let found = mosquitto_property_read_varint(cursor, identifier, &value, skipFirst) else { break }
            result.append(value)
            cursor = found
            skipFirst = true
        }
        return result
    }
}
