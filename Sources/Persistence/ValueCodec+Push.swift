import Actors

/// Push devices and pending pushes, as journal entries and snapshot sections write them.
extension ValueCodec {
    static func write(_ device: PushDevice, into writer: inout ByteWriter) {
        writer.writeString(device.deviceId)
        writer.writeString(device.platform)
        writer.writeString(device.pushToken)
        writer.writeString(device.appId)
        writer.writeDouble(device.registeredAt)
    }

    static func readPushDevice(from reader: inout ByteReader) throws(PersistenceError) -> PushDevice {
        let deviceId = try reader.readString()
        let platform = try reader.readString()
        let pushToken = try reader.readString()
        let appId = try reader.readString()
        return PushDevice(
            deviceId: deviceId, platform: platform, pushToken: pushToken, appId: appId, registeredAt: try reader.readDouble())
    }

    static func write(_ push: PendingPush, into writer: inout ByteWriter) {
        writer.writeString(push.id)
        writer.writeString(push.userId)
        writer.writeBytes(push.body)
        writer.writeDouble(push.queuedAt)
    }

    static func readPendingPush(from reader: inout ByteReader) throws(PersistenceError) -> PendingPush {
        let id = try reader.readString()
        let userId = try reader.readString()
        let body = try reader.readBytes()
        return PendingPush(id: id, userId: userId, body: body, queuedAt: try reader.readDouble())
    }
}
