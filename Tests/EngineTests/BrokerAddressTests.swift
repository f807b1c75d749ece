import Engine
import MQTT
import Testing

/// `--mqtt-host` as a list of brokers.
struct BrokerAddressTests {
    @Test func listsTakeTheDefaultPortWhereOneIsLeftOut() {
        #expect(MQTTBrokerAddress.list("127.0.0.1", defaultPort: 1883) == [MQTTBrokerAddress(host: "127.0.0.1", port: 1883)])
        #expect(MQTTBrokerAddress.list("node1:1884, node2 ,[::1]:1885,[fe80::1],::1", defaultPort: 1883) == [
            MQTTBrokerAddress(host: "node1", port: 1884), MQTTBrokerAddress(host: "node2", port: 1883),
            MQTTBrokerAddress(host: "::1", port: 1885), MQTTBrokerAddress(host: "fe80::1", port: 1883),
            MQTTBrokerAddress(host: "::1", port: 1883),
        ])
        #expect(MQTTBrokerAddress(host: "::1", port: 1885).description == "[::1]:1885")
    }

    @Test func malformedListsAreRefused() {
        for text in ["", "a,,b", "a:0", "a:65536", "a:x", ":1883", "[::1", "[::1]x", "a,"] {
            #expect(MQTTBrokerAddress.list(text, defaultPort: 1883) == nil, "\(text)")
        }
    }

    @Test func theSettingIsValidatedAtStartUp() throws {
        let secret = "a-secret-of-at-least-thirty-two-bytes!!"
        let settings = try SettingsResolver(flags: [.mqttHost: "a:1,b", .mqttPort: "2000", .jwtSecret: secret]).resolve()
        #expect(try settings.engine.mqttBrokers == [MQTTBrokerAddress(host: "a", port: 1), MQTTBrokerAddress(host: "b", port: 2000)])
        #expect(throws: SettingsError.self) { try SettingsResolver(flags: [.mqttHost: "a,,b", .jwtSecret: secret]).resolve() }
    }
}
