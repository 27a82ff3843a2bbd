/** Placeholder while the page is built (issue 6). */
export default function DevicesPage() {
  return (
    <section className="panel">
      <h2>Devices</h2>
    </section>
  );
}
