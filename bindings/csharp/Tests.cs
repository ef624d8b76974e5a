// What the C# binding promises beyond the example, run by the test suite
// (crates/leasehold-ffi/tests/examples.rs) against a real server:
//   mono tests.exe SERVER VENDOR_KEY PRODUCT   (PRODUCT has one seat)
// Exits 0 when every check holds, 1 naming the first that does not.
using System;
using System.Threading;

static class Tests
{
    static void Check(bool ok, string what)
    {
        if (!ok) throw new Exception("check failed: " + what);
    }

    static int Main(string[] args)
    {
        try
        {
            string server = args[0], key = args[1], product = args[2];
            using (var a = Leasehold.Client.Create(new[] { server }, new[] { key }, "tests", "1.0", "cs-a"))
            using (var b = Leasehold.Client.Create(new[] { server }, new[] { key }, "tests", "1.0", "cs-b"))
            {
                var seat = a.Checkout(product);
                var info = seat.Info;
                Check(info.State == Leasehold.SeatState.Held && info.Usable, "a new seat is held");
                Check(info.LeaseId.Length == 36, "the lease id is a UUID");
                Check(info.ExpiresAt > DateTimeOffset.UtcNow, "it expires in the future");

                // The one seat is taken: its own exception, with the code.
                try
                {
                    b.Checkout(product);
                    Check(false, "a second seat is refused");
                }
                catch (Leasehold.NoSeatException e)
                {
                    Check(e.Code == "no_seat_free", "the refusal's code is no_seat_free");
                }

                // The event sees the release, before Dispose returns.
                var seen = Leasehold.SeatState.Held;
                var released = new ManualResetEventSlim();
                seat.StateChanged += (s, i) => { seen = i.State; released.Set(); };
                seat.Dispose();
                Check(released.IsSet && seen == Leasehold.SeatState.Released, "StateChanged says Released");

                // Released: the other computer gets the seat now.
                using (var other = b.Checkout(product))
                {
                    Check(other.Info.Usable, "the freed seat is the other's");
                }

                // An untrusted vendor key: the server's chain does not verify.
                var rogue = "LHPK-" + new string('2', 52);
                try
                {
                    Leasehold.Client.Create(new[] { server }, new[] { rogue });
                    Check(false, "a malformed key is refused");
                }
                catch (Leasehold.LeaseholdException e)
                {
                    Check(e.Code == "bad_public_key", "a malformed key's code is bad_public_key, got " + e.Code);
                }
            }
            Console.WriteLine("csharp tests: ok");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
