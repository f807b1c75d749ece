import CMosquitto

/// A publish waiting in `MQTTClient`'s queue for the network thread to hand it to libmosquitto.
struct OutgoingPublish: Sendable {
    var topic: String
    var payload: [UInt8]
    var qos: Int32
    var retain: Bool
    var responseTopic: String?
    var correlationData: [UInt8]?
    var userProperties: [MQTTUserProperty]
    /// Set for a QoS ≥ 1 publish whose topic takes `MQTTCoalescing`.
    var coalescing: MQTTCoalescing? = nil

    /// Queues it in libmosquitto; called on the network thread only.
    /// - Returns: libmosquitto's result and the message id it assigned.
    func send(through handle: OpaquePointer) -> (rc: Int32, mid: Int32) {
        var props: OpaquePointer?
        defer { if props != nil { mosquitto_property_free_all(&props) } }
        if let responseTopic {
            mosquitto_property_add_string(&props, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), responseTopic)
        }
        if let correlationData {
            correlationData.withUnsafeBytes { bytes in
                _ = mosquitto_property_add_binary(
                    &props, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), bytes.baseAddress, UInt16(bytes.count))
            }
        }
        for property in userProperties {
            mosquitto_property_add_string_pair(&props, Int32(MQTT_PROP_USER_PROPERTY.rawValue), property.name, property.value)
        }
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain, props)
        }
        return (rc, mid)
    }
}
