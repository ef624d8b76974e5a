// What the C# binding promises beyond the example, run by the test suite
// (crates/leasehold-ffi/tests/examples.rs) against a real server:
//   mono tests.exe SERVER VENDOR_KEY PRODUCT   (PRODUCT has one seat, feature
//   render with one seat of its own, plain feature export, loans of up to 24 h)
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

                // A certificate fingerprint that is not one: refused with its code.
                try
                {
                    Leasehold.Client.Create(new[] { "https://" + server }, new[] { key }, tlsFingerprints: new[] { "AB:CD" });
                    Check(false, "a malformed fingerprint is refused");
                }
                catch (Leasehold.LeaseholdException e)
                {
                    Check(e.Code == "invalid_tls_fingerprint", "a malformed fingerprint's code is invalid_tls_fingerprint, got " + e.Code);
                }

                // A feature seat under a seat (render has 1; export is plain).
                using (var held = a.Checkout(product))
                {
                    var render = held.CheckoutFeature("render");
                    Check(render.Seats == 1 && render.InUse == 1, "render: 1 of 1 in use");
                    Check(held.CheckoutFeature("export").Seats == null, "export is a plain entitlement");
                    held.ReleaseFeature("render");
                }

                // Waiting: b hears its place; a's release from another thread serves it.
                var first = a.Checkout(product);
                var inLine = new ManualResetEventSlim();
                uint position = 0;
                var releaser = new Thread(() => { inLine.Wait(); first.Dispose(); });
                releaser.Start();
                using (var waited = b.CheckoutWaiting(product, 20000, (p, n) => { if (position == 0) position = p; inLine.Set(); }))
                {
                    Check(waited.Info.Usable, "the waiter got the freed seat");
                }
                releaser.Join();
                Check(position == 1, "the waiter was first in line");

                // Tokens: once per key.
                var spent = a.Consume(product, 30, "cs-job-1", "plot");
                Check(spent.Amount == 30 && spent.Left == 70 && !spent.Replayed, "30 spent, 70 left");
                var again = b.Consume(product, 30, "cs-job-1");
                Check(again.Replayed && again.At == spent.At && again.Left == 70, "the same key answers the first spend");
                try
                {
                    a.Consume(product, 71, "cs-job-2");
                    Check(false, "71 of 70 left is refused");
                }
                catch (Leasehold.LeaseholdException e)
                {
                    Check(e.Code == "tokens_exhausted", "tokens_exhausted, got " + e.Code);
                }

                // Borrowing: checkouts use the loan; returned, it is gone.
                var loans = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leasehold-cs-" + Guid.NewGuid());
                using (var c = Leasehold.Client.Create(new[] { server }, new[] { key }, "tests", "1.0", "cs-c", loans))
                {
                    var until = c.Borrow(product, 8);
                    using (var onLoan = c.Checkout(product))
                    {
                        Check(onLoan.Info.ExpiresAt == until, "a checkout holds the loan until it ends");
                    }
                    Check(c.ReturnBorrowed(product) == Leasehold.LoanReturn.Returned, "returned to the server");
                    Check(c.ReturnBorrowed(product) == Leasehold.LoanReturn.None, "nothing left to return");
                }
                System.IO.Directory.Delete(loans, true);
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
