@testable import Engine
import Testing

/// RoomActor.search matches ASCII contents byte by byte: that is only right while folding ASCII text is
/// lowercasing it.
struct SearchFoldingTests {
    @Test func foldingASCIIIsLowercasingIt() {
        for byte in UInt8(0)..<0x80 {
            let text = String(UnicodeScalar(byte))
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? String(UnicodeScalar(byte + 32)) : text
            #expect(SearchFolding.fold(text) == lowered, "byte \(byte)")
        }
        #expect(SearchFolding.fold("Café ÉLÈVE") == "cafe eleve")
    }
}
