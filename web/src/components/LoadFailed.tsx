import { Component, type ReactNode } from 'react';

interface Props {
  /** What to say, in the page's language, and what the button says. */
  message: string;
  retry: string;
  /** A new key (the route) clears the failure: another page may load fine. */
  resetKey?: string;
  children: ReactNode;
}

/**
 * Keeps a failure inside the part that failed. A lazily loaded chunk that cannot
 * arrive (the server restarting, a network blip: React.lazy rejects) would
 * otherwise unmount the whole dashboard, the header and its connection state
 * with it, leaving a blank page. React catches render errors only in a class
 * component with getDerivedStateFromError (react.dev, "Catching rendering errors
 * with an error boundary").
 */
export class LoadFailed extends Component<Props, { failed: boolean; key?: string }> {
  override state: { failed: boolean; key?: string } = { failed: false, key: this.props.resetKey };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: Props, state: { failed: boolean; key?: string }) {
    return props.resetKey !== state.key ? { failed: false, key: props.resetKey } : null;
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="error" role="alert">
        <p>{this.props.message}</p>
        <button type="button" onClick={() => window.location.reload()}>
          {this.props.retry}
        </button>
      </div>
    );
  }
}
