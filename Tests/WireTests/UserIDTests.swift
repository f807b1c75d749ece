import Testing
import Wire

struct UserIDTests {
    @Test(arguments: ["a", "Alice_01", "bob.smith-2", "...", "_", String(repeating: "z", count: 64)])
    func valid(id: String) {
        #expect(isValidUserID(id))
        #expect(isValidUserID(id[...]))
    }

    @Test(arguments: ["", "a/b", "../x", "a+b", "a#", "a b", "é", "ä", "a\u{0}", String(repeating: "z", count: 65)])
    func invalid(id: String) {
        #expect(!isValidUserID(id))
    }
}
