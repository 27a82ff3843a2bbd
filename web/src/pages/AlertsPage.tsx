/** Placeholder while the page is built (issue 6). */
export default function AlertsPage() {
  return (
    <section className="panel">
      <h2>Alerts</h2>
    </section>
  );
}
