/** Placeholder while the page is built (issue 6). */
export default function ComfortPage() {
  return (
    <section className="panel">
      <h2>Comfort</h2>
    </section>
  );
}
