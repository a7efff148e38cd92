import Formats
import Testing

@Suite struct HexTests {
    @Test func roundTripsAndRefusesBadText() {
        let bytes: [UInt8] = [0x00, 0x0f, 0xa5, 0xff]
        #expect(Hex.encode(bytes) == "000fa5ff")
        #expect(Hex.decode("0x000fa5ff") == bytes && Hex.decode("0X000FA5FF") == bytes && Hex.decode("000fA5ff") == bytes)
        #expect(Hex.decode("") == [] && Hex.decode("0x") == [])
        #expect(Hex.decode("0x123") == nil, "an odd number of digits")
        #expect(Hex.decode("+f") == nil && Hex.decode("0g") == nil && Hex.decode("0x 1") == nil, "not hex digits")
    }
}
