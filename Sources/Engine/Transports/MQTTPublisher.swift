import Logging
import MQTT
import ServiceLifecycle

/// The engine's outbound broker connection as a service: connected before any other part runs (the
/// engine connects it), and the last part to stop, once everything that publishes has, after the broker
/// has acknowledged what was handed to it.
struct MQTTPublisher: Service {
    let client: MQTTClient
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        if !(await client.flush(timeout: 5)) {
            logger.warning("some replies were not acknowledged by the broker before shutdown")
        }
        client.disconnect()
    }
}
